package openapi

import (
	"context"
	"fmt"
	"io/fs"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Contract is one contract loaded, validated and routed.
type Contract struct {
	Raw    []byte      // the file as served to vendors
	Doc    *openapi3.T // its servers replaced by basePath
	Router routers.Router
}

// Load reads file from fsys, checks it is a valid OpenAPI document, and
// routes its operations under basePath whatever the host: the documents'
// server URLs are templates for vendors, while the sandbox answers on any
// public URL.
func Load(fsys fs.FS, file, basePath string) (*Contract, error) {
	raw, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("openapi/%s: %w", file, err)
	}
	// The embedded contracts are validated by the tests (TestContractsAreValid,
	// examples included), not again at every start: a tenth of it.
	if embedded := fsys == FS(); !embedded {
		if err := doc.Validate(context.Background()); err != nil {
			return nil, fmt.Errorf("openapi/%s is not a valid OpenAPI document: %w", file, err)
		}
	}
	doc.Servers = openapi3.Servers{{URL: basePath}}
	var router routers.Router
	if router, err = newSegmentRouter(doc, basePath); err != nil {
		// A path the segment router cannot walk: kin-openapi's own.
		if router, err = gorillamux.NewRouter(doc); err != nil {
			return nil, fmt.Errorf("openapi/%s: %w", file, err)
		}
	}
	return &Contract{Raw: raw, Doc: doc, Router: router}, nil
}

// Loading is a contract loaded in the background: from now
// (LoadInBackground), or from when Start or Wait is first called
// (LoadLater).
type Loading struct {
	start func()
	done  chan struct{}
	c     *Contract
	err   error
}

// LoadLater prepares Load without starting it: Start begins it in a
// goroutine, Wait begins it if need be and waits for it.
func LoadLater(fsys fs.FS, file, basePath string) *Loading {
	l := &Loading{done: make(chan struct{})}
	l.start = sync.OnceFunc(func() {
		go func() {
			defer close(l.done)
			l.c, l.err = Load(fsys, file, basePath)
		}()
	})
	return l
}

// LoadInBackground starts Load in a goroutine and returns at once.
func LoadInBackground(fsys fs.FS, file, basePath string) *Loading {
	l := LoadLater(fsys, file, basePath)
	l.Start()
	return l
}

// Start begins the load in the background, once.
func (l *Loading) Start() { l.start() }

// Wait returns the contract once loaded, or why it could not be.
func (l *Loading) Wait() (*Contract, error) {
	l.Start()
	<-l.done
	return l.c, l.err
}

// WhenLoaded is use's result for the contract l loads, made on the first
// call of the function returned, which waits for the load (starting it if
// need be), and kept: a service that leaves its contract loading in the
// background builds what it needs of it on its first request.
func WhenLoaded[T any](l *Loading, use func(*Contract) (T, error)) func() (T, error) {
	return sync.OnceValues(func() (T, error) {
		c, err := l.Wait()
		if err != nil {
			var zero T
			return zero, err
		}
		return use(c)
	})
}
