package simulator_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/impotparticulier"
)

// TestOpenAPIDirectoryIsCheckedAtStart: the embedded contracts load in the
// background, but those of an --openapi directory are waited for, so that
// their faults stop the start with their message.
func TestOpenAPIDirectoryIsCheckedAtStart(t *testing.T) {
	file := func(name string) []byte {
		b, err := fs.ReadFile(openapi.FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	api, ctl := file(impotparticulier.ContractFile), file(control.ContractFile)
	for _, tc := range []struct {
		name      string
		contracts fstest.MapFS
		want      string // in New's error; "" for none
	}{
		{"both valid", fstest.MapFS{impotparticulier.ContractFile: {Data: api}, control.ContractFile: {Data: ctl}}, ""},
		{"control lacks its operations", fstest.MapFS{impotparticulier.ContractFile: {Data: api}, control.ContractFile: {Data: api}}, "has no handler"},
		{"control missing", fstest.MapFS{impotparticulier.ContractFile: {Data: api}}, control.ContractFile},
		{"API not OpenAPI", fstest.MapFS{impotparticulier.ContractFile: {Data: []byte("openapi: [")}, control.ContractFile: {Data: ctl}}, impotparticulier.ContractFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := simulator.New(simulator.Config{PublicURL: "http://localhost:8080", Contracts: tc.contracts})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("New = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}
