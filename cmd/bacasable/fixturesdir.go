package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/impotparticulier"
	"github.com/bacasable/bacasable/simulator/population"
)

// fixtureFiles are the files of a fixture directory, in the order the
// messages name them.
var fixtureFiles = []string{population.PersonasFile, population.FoyersFile, franceconnect.ClientsFile, impotparticulier.HabilitationsFile,
	population.COGCommunesFile, population.COGCountriesFile, population.COGHorsCOGFile}

// fixturesFS is the directory dir, each missing fixture file taken from
// the embedded fixtures (missing lists them), or the embedded fixtures
// when dir is "". A directory holding only personas.yaml and foyers.yaml
// (or their .json) is thus enough.
func fixturesFS(dir string) (fsys fs.FS, missing []string, err error) {
	if dir == "" {
		return fixtures.FS(), nil, nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, fmt.Errorf("%q is not a directory", dir)
	}
	local := os.DirFS(dir)
	// personas.json (foyers.json) stands for personas.yaml (foyers.yaml).
	inJSON := map[string]string{population.PersonasFile: population.PersonasJSONFile, population.FoyersFile: population.FoyersJSONFile}
	for _, name := range fixtureFiles {
		if _, err := fs.Stat(local, name); errors.Is(err, fs.ErrNotExist) {
			if _, err := fs.Stat(local, inJSON[name]); inJSON[name] != "" && err == nil {
				continue
			}
			missing = append(missing, name)
		}
	}
	return overlayFS{local, fixtures.FS()}, missing, nil
}

// describeMissing says which files of dir the embedded fixtures stand in
// for, or "" when none.
func describeMissing(dir string, missing []string) string {
	if len(missing) == 0 {
		return ""
	}
	return fmt.Sprintf("%s has no %s: the embedded ones are used", dir, strings.Join(missing, ", "))
}

// overlayFS reads top first, then base for what top lacks.
type overlayFS struct{ top, base fs.FS }

func (o overlayFS) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return o.base.Open(name)
	}
	return f, err
}
