package demoville_test

import (
	"log"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/demoville"
)

// Example mounts Démoville next to the sandbox on one router. Démoville
// reaches the sandbox over HTTP only, so its FranceConnect client
// ("demoville", redirect URI http://localhost:8080/demoville/callback,
// post-logout URI http://localhost:8080/demoville/) must be registered in
// the fixtures' clients.yaml, and both must read the same clock.
func Example() {
	const publicURL = "http://localhost:8080"
	clk := clock.NewVirtual()
	sb, err := simulator.New(simulator.Config{PublicURL: publicURL, Clock: clk})
	if err != nil {
		log.Fatal(err)
	}
	site, err := demoville.New(demoville.Config{
		PublicURL: publicURL, ClientID: "demoville", ClientSecret: "demoville-secret",
		Clock: clk.Now,
	})
	if err != nil {
		log.Fatal(err)
	}
	r := mux.NewRouter()
	site.Routes(r)                          // /demoville/…
	r.PathPrefix("/").Handler(sb.Handler()) // everything else: FranceConnect, the API
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", r))
}
