package console_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/simulator/console"
)

// The console mounts on the sandbox's router beside the control API, which
// owns /_bacasable/api/.
func Example() {
	c, err := console.New(console.Config{PublicURL: "http://localhost:8080"})
	if err != nil {
		panic(err)
	}
	r := mux.NewRouter()
	c.Routes(r)
	srv := httptest.NewServer(r)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/_bacasable")
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println(res.Request.URL.Path, res.StatusCode, res.Header.Get("Content-Type"))
	// Output: /_bacasable/ 200 text/html; charset=utf-8
}
