package population

// Names for the generated population (see Generator). gofakeit has no
// French locale for people, so the sandbox ships its own lists, written from
// the Insee statistics everyone quotes: the "Fichier des prénoms" (first
// names given in France by year of birth since 1900) and the frequency of
// surnames among births 1891-1990 (the 200 most frequent, in rank order).
// They are chosen from memory of those tables, not copied from them: close
// enough for plausible fictitious people, not a statistical source.
//
// Spelling follows the civil registry: first names with their accents,
// surnames upper case with their accents (as personas.yaml writes them).
// Changing any list changes every generated population: a seed reproduces a
// population only with the same lists.

// firstNames are the first names of one sex by cohort of birth.
type firstNames struct {
	before1960, from1960, from1990 []string
}

// frenchFemale and frenchMale are frequent first names by cohort of birth.
var frenchFemale = firstNames{
	before1960: []string{
		"Marie", "Jeanne", "Françoise", "Monique", "Catherine", "Nicole", "Jacqueline", "Michèle",
		"Christiane", "Annie", "Danielle", "Martine", "Denise", "Simone", "Suzanne", "Colette",
		"Yvette", "Madeleine", "Josette", "Paulette", "Odette", "Geneviève", "Marguerite", "Germaine",
		"Andrée", "Yvonne", "Louise", "Huguette", "Ginette", "Janine", "Chantal", "Bernadette",
		"Marcelle", "Anne", "Lucienne", "Renée", "Claudine", "Brigitte", "Évelyne", "Arlette",
		"Gisèle", "Mireille", "Raymonde", "Hélène", "Thérèse", "Solange", "Josiane", "Éliane",
		"Régine", "Micheline", "Liliane", "Marie-Thérèse", "Marie-Claude", "Anne-Marie", "Marie-France", "Paule",
		"Pierrette", "Odile", "Jocelyne", "Lucie",
	},
	from1960: []string{
		"Nathalie", "Isabelle", "Sylvie", "Valérie", "Sandrine", "Christine", "Véronique", "Stéphanie",
		"Céline", "Laurence", "Sophie", "Corinne", "Patricia", "Karine", "Virginie", "Florence",
		"Émilie", "Aurélie", "Julie", "Caroline", "Élodie", "Audrey", "Mélanie", "Séverine",
		"Delphine", "Christelle", "Vanessa", "Laetitia", "Nadia", "Cécile", "Carole", "Pascale",
		"Béatrice", "Agnès", "Frédérique", "Muriel", "Magali", "Sarah", "Amandine", "Jennifer",
		"Jessica", "Marion", "Camille", "Anaïs", "Claire", "Charlotte", "Pauline", "Laure",
		"Marine", "Nadège", "Fabienne", "Hélène", "Anne", "Marie", "Élise", "Estelle",
		"Sabrina", "Angélique", "Ludivine", "Dominique",
	},
	from1990: []string{
		"Emma", "Léa", "Manon", "Chloé", "Camille", "Inès", "Sarah", "Jade",
		"Louise", "Lina", "Alice", "Zoé", "Léna", "Lola", "Juliette", "Clara",
		"Mathilde", "Anaïs", "Océane", "Laura", "Marie", "Pauline", "Julie", "Justine",
		"Marine", "Morgane", "Mélissa", "Lucie", "Eva", "Charlotte", "Romane", "Ambre",
		"Rose", "Anna", "Mila", "Jeanne", "Lou", "Agathe", "Margaux", "Élise",
		"Maëlys", "Nina", "Lisa", "Maëva", "Clémence", "Louna", "Iris", "Victoire",
		"Adèle", "Gabrielle", "Capucine", "Salomé", "Axelle", "Elsa", "Héloïse", "Alicia",
		"Léana", "Apolline", "Maya", "Léonie",
	},
}

var frenchMale = firstNames{
	before1960: []string{
		"Jean", "Michel", "Pierre", "André", "Bernard", "Jacques", "Claude", "Alain",
		"Gérard", "Daniel", "René", "Roger", "Robert", "Marcel", "Henri", "Louis",
		"Georges", "Paul", "Christian", "Jean-Pierre", "Jean-Claude", "Maurice", "Raymond", "Guy",
		"Roland", "Serge", "Joseph", "Lucien", "Marc", "François", "Patrick", "Philippe",
		"Yves", "Jean-Marie", "Jean-Louis", "Jean-Paul", "Gilbert", "Francis", "Albert", "Fernand",
		"Émile", "Gilles", "Jean-Jacques", "Jean-François", "Dominique", "Denis", "Didier", "Charles",
		"Gabriel", "Jacky", "Bruno", "Hubert", "Gaston", "Léon", "Edmond", "Jean-Luc",
		"Noël", "Roméo", "Armand", "Victor",
	},
	from1960: []string{
		"Philippe", "Thierry", "Christophe", "Stéphane", "Frédéric", "Laurent", "Pascal", "Éric",
		"Olivier", "David", "Nicolas", "Sébastien", "Julien", "Jérôme", "Cédric", "Vincent",
		"Franck", "Patrick", "Bruno", "Didier", "Alain", "Pierre", "Jean", "Guillaume",
		"Mathieu", "Romain", "Anthony", "Damien", "Fabrice", "Ludovic", "Arnaud", "Yannick",
		"Xavier", "Emmanuel", "Benoît", "Grégory", "Sylvain", "Jean-Marc", "Jean-Michel", "François",
		"Michel", "Thomas", "Antoine", "Alexandre", "Maxime", "Kévin", "Florian", "Mickaël",
		"Jonathan", "Jérémy", "Benjamin", "Christian", "Hervé", "Denis", "Gilles", "Marc",
		"Régis", "Raphaël", "Fabien", "Lionel",
	},
	from1990: []string{
		"Lucas", "Hugo", "Thomas", "Théo", "Nathan", "Louis", "Gabriel", "Léo",
		"Raphaël", "Jules", "Arthur", "Maxime", "Enzo", "Mathis", "Tom", "Noah",
		"Ethan", "Paul", "Adam", "Clément", "Alexandre", "Antoine", "Quentin", "Valentin",
		"Romain", "Baptiste", "Florian", "Kylian", "Nolan", "Timéo", "Sacha", "Victor",
		"Martin", "Axel", "Mathéo", "Evan", "Liam", "Yanis", "Rayan", "Aaron",
		"Tiago", "Noé", "Samuel", "Matthieu", "Benjamin", "Dylan", "Corentin", "Julien",
		"Pierre", "Guillaume", "Alexis", "Lenny", "Marius", "Esteban", "Gaspard", "Malo",
		"Robin", "Simon", "Augustin", "Nino",
	},
}

// frenchSurnames are the most frequent surnames in France, most frequent
// first; the generator draws them with weights falling with the rank.
var frenchSurnames = []string{
	"MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS",
	"MOREAU", "LAURENT", "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID",
	"BERTRAND", "MOREL", "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE",
	"ROUSSEAU", "VINCENT", "MULLER", "LEFÈVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC",
	"GUÉRIN", "BOYER", "GARNIER", "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA",
	"PERRIN", "ROBIN", "CLÉMENT", "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU",
	"GAUTIER", "MASSON", "MARCHAND", "DUVAL", "DENIS", "DUMONT", "MARIE", "LEMAIRE",
	"NOËL", "MEYER", "DUFOUR", "MEUNIER", "BRUN", "BLANCHARD", "GIRAUD", "JOLY",
	"RIVIÈRE", "LUCAS", "BRUNET", "GAILLARD", "BARBIER", "ARNAUD", "MARTINEZ", "GÉRARD",
	"ROCHE", "RENARD", "SCHMITT", "ROY", "LEROUX", "COLIN", "VIDAL", "CARON",
	"PICARD", "ROGER", "FABRE", "AUBERT", "LEMOINE", "RENAUD", "DUMAS", "LACROIX",
	"OLIVIER", "PHILIPPE", "BOURGEOIS", "PIERRE", "BENOÎT", "REY", "LECLERC", "PAYET",
	"ROLLAND", "LECLERCQ", "GUILLAUME", "LECOMTE", "LOPEZ", "JEAN", "DUPUY", "GUILLOT",
	"HUBERT", "BERGER", "CARPENTIER", "SANCHEZ", "DUPUIS", "MOULIN", "LOUIS", "DESCHAMPS",
	"HUET", "VASSEUR", "PEREZ", "BOUCHER", "FLEURY", "ROYER", "KLEIN", "JACQUET",
	"ADAM", "PARIS", "POIRIER", "MARTY", "AUBRY", "GUYOT", "CARRÉ", "CHARLES",
	"RENAULT", "CHARPENTIER", "MÉNARD", "MAILLARD", "BARON", "BERTIN", "BAILLY", "HERVÉ",
	"SCHNEIDER", "FERNANDEZ", "LE GALL", "COLLET", "LÉGER", "BOUVIER", "JULIEN", "PRÉVOST",
	"MILLET", "PERROT", "DANIEL", "LE ROUX", "COUSIN", "GERMAIN", "BRETON", "BESSON",
	"LANGLOIS", "RÉMY", "LE GOFF", "PELLETIER", "LÉVÊQUE", "PERRIER", "LEBLANC", "BARRÉ",
	"LEBRUN", "MARCHAL", "WEBER", "MALLET", "HAMON", "BOULANGER", "JACOB", "MONNIER",
	"MICHAUD", "RODRIGUEZ", "GUICHARD", "GILLET", "ÉTIENNE", "GRONDIN", "POULAIN", "TESSIER",
	"CHEVALLIER", "COLLIN", "CHAUVIN", "DA SILVA", "BOUCHET", "GAY", "LEMAÎTRE", "BENARD",
	"MARÉCHAL", "HUMBERT", "REYNAUD", "ANTOINE", "HOARAU", "PERRET", "BARTHÉLEMY", "CORDIER",
	"PICHON", "LEJEUNE", "GILBERT", "LAMY", "DELAUNAY", "PASQUIER", "CARLIER", "LAPORTE",
}

// origin is where a persona's names come from. People born abroad mostly
// carry names of their country of birth; a share of people born in France
// too (the children of immigrants), as in the real registry.
type origin int

const (
	originFrance origin = iota
	originMaghreb
	originLusophone
	originAfrique
	originIberoItalie
	originTurquie
	originAsie
	originCount
)

// namesOf holds the names of each origin but France (see frenchFemale,
// frenchMale, frenchSurnames): common given names and surnames of people of
// that origin living in France, in the spelling the French registry keeps.
var namesOf = [originCount]struct {
	female, male, surnames []string
}{
	originMaghreb: {
		female: []string{"Fatima", "Khadija", "Aïcha", "Malika", "Samira", "Nadia", "Leïla", "Yasmina",
			"Amina", "Naïma", "Zohra", "Karima", "Rachida", "Souad", "Farida", "Nora", "Latifa",
			"Meriem", "Sonia", "Houria", "Salima", "Imane", "Sabrina", "Djamila", "Hafida"},
		male: []string{"Mohamed", "Ahmed", "Karim", "Rachid", "Mustapha", "Ali", "Youssef", "Samir",
			"Hassan", "Farid", "Mehdi", "Nabil", "Omar", "Khaled", "Saïd", "Abdelkader", "Hamid",
			"Mourad", "Bilal", "Sofiane", "Amine", "Ilyes", "Yacine", "Walid", "Redouane"},
		surnames: []string{"BENALI", "BELKACEM", "HADDAD", "MANSOURI", "BOUZID", "CHERIF", "BENAMAR",
			"BRAHIMI", "SAIDI", "HAMIDI", "AMRANI", "EL IDRISSI", "BENSALEM", "KADDOUR", "MEZIANE",
			"TOUATI", "BOUAZIZ", "ZERROUKI", "BENMOUSSA", "LAHLOU", "ALAOUI", "BENNANI", "TAHIRI",
			"OUALI", "AIT AHMED", "BOUDJEMAA", "CHAOUI", "NACERI", "HAMDI", "BEN SALAH"},
	},
	originLusophone: {
		female: []string{"Maria", "Ana", "Fernanda", "Isabel", "Rosa", "Manuela", "Paula", "Sandra",
			"Cristina", "Fátima", "Teresa", "Luísa", "Helena", "Sónia", "Graça", "Conceição",
			"Lúcia", "Carla"},
		male: []string{"José", "João", "Manuel", "António", "Carlos", "Paulo", "Luís", "Fernando",
			"Jorge", "Rui", "Nuno", "Pedro", "Mário", "Francisco", "Joaquim", "Ricardo", "Sérgio",
			"Armando"},
		surnames: []string{"DA SILVA", "DOS SANTOS", "PEREIRA", "FERREIRA", "RODRIGUES", "FERNANDES",
			"GONÇALVES", "GOMES", "LOPES", "MARTINS", "RIBEIRO", "DA COSTA", "ALVES", "CARVALHO",
			"TEIXEIRA", "MOREIRA", "SOUSA", "OLIVEIRA", "CORREIA", "PINTO", "MENDES", "MACHADO",
			"DE OLIVEIRA", "MONTEIRO"},
	},
	originAfrique: {
		female: []string{"Aminata", "Fatoumata", "Awa", "Mariama", "Aïssatou", "Kadiatou", "Fanta",
			"Oumou", "Coumba", "Ramatoulaye", "Bintou", "Nafissatou", "Clarisse", "Grâce", "Josiane",
			"Solange", "Mireille", "Marie-Claire", "Rokia", "Adjoa"},
		male: []string{"Mamadou", "Moussa", "Ibrahima", "Abdoulaye", "Ousmane", "Amadou", "Cheikh",
			"Souleymane", "Boubacar", "Modibo", "Issa", "Seydou", "Jean-Baptiste", "Serge", "Emmanuel",
			"Hervé", "Alassane", "Kouadio", "Yao", "Landry"},
		surnames: []string{"DIALLO", "TRAORÉ", "KONÉ", "NDIAYE", "DIOP", "DIARRA", "CISSÉ", "SYLLA",
			"CAMARA", "BA", "SOW", "FALL", "KEITA", "COULIBALY", "TOURÉ", "DIAKITÉ", "FOFANA",
			"SANGARÉ", "N'DIAYE", "MBAYE", "GUEYE", "KOUASSI", "KOUAMÉ", "MBALLA", "SOILIHI"},
	},
	originIberoItalie: {
		female: []string{"Maria", "Carmen", "Dolores", "Pilar", "Josefa", "Isabel", "Ana", "Giuseppina",
			"Rosa", "Angela", "Giovanna", "Teresa", "Lucia", "Antonia", "Concetta", "Mercedes"},
		male: []string{"José", "Antonio", "Manuel", "Francisco", "Juan", "Miguel", "Carlos", "Giuseppe",
			"Giovanni", "Mario", "Luigi", "Francesco", "Angelo", "Salvatore", "Vincenzo", "Rafael"},
		surnames: []string{"GARCIA", "MARTINEZ", "LOPEZ", "SANCHEZ", "FERNANDEZ", "GONZALEZ", "RODRIGUEZ",
			"PEREZ", "GOMEZ", "RUIZ", "HERNANDEZ", "JIMENEZ", "ROSSI", "RUSSO", "FERRARI", "ESPOSITO",
			"BIANCHI", "ROMANO", "COLOMBO", "RICCI", "MARINO", "GRECO", "CONTI", "DE LUCA"},
	},
	originTurquie: {
		female: []string{"Fatma", "Ayse", "Emine", "Hatice", "Zeynep", "Elif", "Meryem", "Hulya",
			"Sevgi", "Derya", "Esra", "Merve"},
		male: []string{"Mehmet", "Mustafa", "Ahmet", "Ali", "Huseyin", "Hasan", "Ibrahim", "Murat",
			"Emre", "Yusuf", "Kemal", "Osman"},
		surnames: []string{"YILMAZ", "KAYA", "DEMIR", "SAHIN", "CELIK", "YILDIZ", "YILDIRIM", "OZTURK",
			"AYDIN", "OZDEMIR", "ARSLAN", "DOGAN", "KILIC", "AKSOY"},
	},
	originAsie: {
		female: []string{"Lan", "Mai", "Linh", "Hoa", "Thu", "Mei", "Xiaoling", "Yan", "Hong", "Kim",
			"Ngoc", "Ying"},
		male: []string{"Minh", "Thanh", "Hung", "Tuan", "Duc", "Wei", "Jun", "Lei", "Chen", "Bao",
			"Long", "Hai"},
		surnames: []string{"NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "HUYNH", "VO", "DANG", "WANG", "LI",
			"ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHOU"},
	},
}

// birthCountries are the countries of birth drawn for people born abroad,
// with weights after Insee's figures on immigrants by country of birth
// (Algeria, Morocco and Portugal first), and the origin of their names.
var birthCountries = []struct {
	code   string
	weight int
	origin origin
}{
	{"99352", 24, originMaghreb},    // Algérie
	{"99350", 20, originMaghreb},    // Maroc
	{"99139", 10, originLusophone},  // Portugal
	{"99351", 8, originMaghreb},     // Tunisie
	{"99127", 5, originIberoItalie}, // Italie
	{"99134", 4, originIberoItalie}, // Espagne
	{"99208", 4, originTurquie},     // Turquie
	{"99131", 3, originFrance},      // Belgique
	{"99341", 3, originAfrique},     // Sénégal
	{"99326", 3, originAfrique},     // Côte d'Ivoire
	{"99335", 2, originAfrique},     // Mali
	{"99322", 2, originAfrique},     // Cameroun
	{"99312", 2, originAfrique},     // République démocratique du Congo
	{"99397", 2, originAfrique},     // Comores
	{"99333", 2, originAfrique},     // Madagascar
	{"99109", 2, originFrance},      // Allemagne
	{"99132", 2, originFrance},      // Royaume-Uni
	{"99114", 2, originFrance},      // Roumanie
	{"99216", 2, originAsie},        // Chine
	{"99243", 1, originAsie},        // Vietnam
	{"99410", 1, originFrance},      // Haïti
	{"99416", 1, originLusophone},   // Brésil
	{"99122", 1, originFrance},      // Pologne
	{"99140", 1, originFrance},      // Suisse
}

// Streets: the types and the names most French communes have.
var (
	streetTypes = []struct {
		name   string
		weight int
	}{{"rue", 60}, {"avenue", 12}, {"boulevard", 5}, {"chemin", 8}, {"impasse", 6}, {"place", 3}, {"allée", 6}}
	streetNames = []string{
		"de la République", "Victor Hugo", "Jean Jaurès", "de la Gare", "du Général de Gaulle", "Pasteur",
		"des Écoles", "de l'Église", "du Moulin", "des Lilas", "Gambetta", "Jules Ferry", "de la Paix",
		"Carnot", "du Stade", "de la Mairie", "des Tilleuls", "du Château", "de la Liberté", "Émile Zola",
		"Voltaire", "Anatole France", "Louis Pasteur", "des Acacias", "du 8 Mai 1945", "du 11 Novembre",
		"de Verdun", "Saint-Martin", "des Peupliers", "du Général Leclerc", "de la Fontaine", "des Jardins",
		"de Paris", "Foch", "Georges Clemenceau", "des Roses", "du Commerce", "Pierre Curie", "Marcel Pagnol",
		"Jean Moulin", "de la Poste", "des Vignes", "du Port", "des Prés", "de la Forêt", "des Champs",
		"Charles de Gaulle", "du Lavoir", "des Mimosas", "Alsace-Lorraine", "de la Croix", "des Sports",
		"du Parc", "Paul Bert", "Aristide Briand", "de Lattre de Tassigny", "des Cerisiers", "du Calvaire",
		"Édouard Herriot", "Camille Claudel",
	}
	addressComplements = []string{"Bâtiment A", "Bâtiment B", "Bâtiment C", "Résidence Les Tilleuls",
		"Résidence du Parc", "Résidence Les Jardins", "Escalier 2", "Appartement 12"}
)
