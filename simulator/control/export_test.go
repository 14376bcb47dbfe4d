package control

import (
	"io/fs"
	"net/http"
)

// ResponseChecker validates answers against the contract of fsys in strict
// mode, for tests; an answer to a request the contract does not route (404
// and 405 of unknown paths) is left to the tests.
func ResponseChecker(fsys fs.FS) (func(req *http.Request, status int, header http.Header, body []byte) error, error) {
	ct, err := loadContract(fsys, nil, (&Control{}).operations())
	if err != nil {
		return nil, err
	}
	return func(req *http.Request, status int, header http.Header, body []byte) error {
		if _, _, err := ct.router.FindRoute(req); err != nil {
			return nil
		}
		return ct.checkResponse(req, status, header, body)
	}, nil
}

// YAMLNode exposes the JSON reader of PUT bodies.
var YAMLNode = yamlNode
