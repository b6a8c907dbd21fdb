package graphiql

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// In production the handler is mounted with chi as
//
//	r.Mount("/graphiql", graphiql.Handler("/graphql"))
//
// chi's Mount routes "/graphiql", "/graphiql/" and "/graphiql/*" to the
// handler without changing r.URL.Path (it only records the remaining route
// in its own context). The tests use no chi: the "unstripped" mount below
// reproduces what chi passes, and the "StripPrefix" mount the usual
// net/http way of mounting a handler under a prefix.
var mounts = []struct {
	name  string
	mount func(mux *http.ServeMux, h http.Handler)
}{
	{"StripPrefix", func(mux *http.ServeMux, h http.Handler) {
		h = http.StripPrefix("/graphiql", h)
		mux.Handle("/graphiql", h)
		mux.Handle("/graphiql/", h)
	}},
	{"unstripped like chi Mount", func(mux *http.ServeMux, h http.Handler) {
		mux.Handle("/graphiql", h)
		mux.Handle("/graphiql/", h)
	}},
}

// newServer starts a test server with Handler("/graphql") mounted under
// /graphiql by mount.
func newServer(t *testing.T, mount func(*http.ServeMux, http.Handler)) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mount(mux, Handler("/graphql"))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// get fetches u and returns the response with its body read.
func get(t *testing.T, u string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

var (
	assetRefRE = regexp.MustCompile(`(?:src|href)="([^"]*)"`)
	inlineRE   = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
)

func TestPageAndAssets(t *testing.T) {
	wantTypes := map[string]string{
		graphiqlJS: "text/javascript; charset=utf-8",
		reactJS:    "text/javascript; charset=utf-8",
		reactDOMJS: "text/javascript; charset=utf-8",
		graphiqlCS: "text/css; charset=utf-8",
	}
	for _, m := range mounts {
		for _, pagePath := range []string{"/graphiql", "/graphiql/"} {
			t.Run(m.name+" "+pagePath, func(t *testing.T) {
				srv := newServer(t, m.mount)
				pageURL := srv.URL + pagePath
				resp, page := get(t, pageURL, nil)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: status %d, want 200", pagePath, resp.StatusCode)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("page Content-Type = %q, want text/html", ct)
				}
				if !strings.Contains(page, `data-endpoint="/graphql"`) {
					t.Errorf("page does not contain the endpoint:\n%s", page)
				}
				if strings.Contains(page, "//unpkg") || strings.Contains(page, "//cdn") {
					t.Errorf("page refers to a CDN:\n%s", page)
				}

				refs := assetRefRE.FindAllStringSubmatch(page, -1)
				seen := make(map[string]bool)
				base, err := url.Parse(pageURL)
				if err != nil {
					t.Fatal(err)
				}
				for _, ref := range refs {
					if strings.HasPrefix(ref[1], "data:") {
						continue // The empty favicon; nothing is fetched.
					}
					u, err := base.Parse(ref[1])
					if err != nil {
						t.Fatalf("bad asset reference %q: %v", ref[1], err)
					}
					if u.Host != base.Host {
						t.Errorf("asset %q is not same-origin", ref[1])
					}
					if !strings.HasPrefix(u.Path, "/graphiql/assets/") {
						t.Errorf("asset %q resolves to %s, want under /graphiql/assets/", ref[1], u.Path)
					}
					name := strings.TrimPrefix(u.Path, "/graphiql/assets/")
					want, ok := wantTypes[name]
					if !ok {
						t.Errorf("unexpected asset reference %q", ref[1])
						continue
					}
					seen[name] = true
					aresp, body := get(t, u.String(), nil)
					if aresp.StatusCode != http.StatusOK {
						t.Errorf("GET %s: status %d, want 200", u.Path, aresp.StatusCode)
						continue
					}
					if ct := aresp.Header.Get("Content-Type"); ct != want {
						t.Errorf("GET %s: Content-Type %q, want %q", u.Path, ct, want)
					}
					if len(body) == 0 {
						t.Errorf("GET %s: empty body", u.Path)
					}
					if cc := aresp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
						t.Errorf("GET %s: Cache-Control %q, want a long max-age", u.Path, cc)
					}
				}
				for name := range wantTypes {
					if !seen[name] {
						t.Errorf("page does not reference %s:\n%s", name, page)
					}
				}

				for _, p := range []string{"/graphiql/assets/nope.js", "/graphiql/assets/", "/graphiql/assets/x/" + graphiqlJS} {
					if resp, _ := get(t, srv.URL+p, nil); resp.StatusCode != http.StatusNotFound {
						t.Errorf("GET %s: status %d, want 404", p, resp.StatusCode)
					}
				}
			})
		}
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	srv := newServer(t, mounts[0].mount)
	resp, page := get(t, srv.URL+"/graphiql/", nil)
	csp := resp.Header.Get("Content-Security-Policy")
	directives := make(map[string]string)
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	script := directives["script-src"]
	if strings.Contains(script, "unsafe-inline") || strings.Contains(script, "unsafe-eval") {
		t.Errorf("script-src %q allows unsafe scripts", script)
	}
	if directives["default-src"] != "'none'" {
		t.Errorf("default-src = %q, want 'none'", directives["default-src"])
	}
	if directives["connect-src"] != "'self'" {
		t.Errorf("connect-src = %q, want 'self'", directives["connect-src"])
	}
	inline := inlineRE.FindAllStringSubmatch(page, -1)
	if len(inline) != 1 {
		t.Fatalf("found %d inline scripts, want 1", len(inline))
	}
	sum := sha256.Sum256([]byte(inline[0][1]))
	hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if !strings.Contains(script, hash) {
		t.Errorf("script-src %q lacks the inline script's hash %s", script, hash)
	}
}

func TestAbsoluteEndpointAllowedByCSP(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler("https://api.example.test:8443/graphql").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "connect-src 'self' https://api.example.test:8443;") {
		t.Errorf("CSP %q does not allow the endpoint's origin", csp)
	}
}

func TestEndpointIsEscaped(t *testing.T) {
	const evil = `/graphql?a="><script>alert(1)</script>`
	rec := httptest.NewRecorder()
	Handler(evil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	page := rec.Body.String()
	if strings.Contains(page, evil) || strings.Contains(page, "<script>alert") {
		t.Errorf("endpoint was not escaped:\n%s", page)
	}
	if !strings.Contains(page, `data-endpoint="/graphql?a=&#34;&gt;&lt;script&gt;`) {
		t.Errorf("escaped endpoint not found:\n%s", page)
	}
}

func TestAssetBase(t *testing.T) {
	tests := []struct {
		requestURI, stripped, want string
	}{
		{"/graphiql", "", "./graphiql/assets/"},
		{"/graphiql", "/graphiql", "./graphiql/assets/"},
		{"/graphiql/", "/", "./assets/"},
		{"/graphiql/?x=1", "/", "./assets/"},
		{"/a/b/graphiql", "/graphiql", "./graphiql/assets/"},
		{"/", "/", "./assets/"},
		{"", "/ide", "./ide/assets/"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RequestURI = tt.requestURI
		r.URL.Path = tt.stripped
		if got := assetBase(r); got != tt.want {
			t.Errorf("assetBase(RequestURI %q, Path %q) = %q, want %q", tt.requestURI, tt.stripped, got, tt.want)
		}
	}
}

func TestMethodsAndCaching(t *testing.T) {
	srv := newServer(t, mounts[1].mount)

	resp, err := http.Post(srv.URL+"/graphiql/", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d Allow %q, want 405 with Allow: GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
	}

	for _, p := range []string{"/graphiql/", "/graphiql/assets/" + reactJS} {
		resp, err := http.Head(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.ContentLength <= 0 {
			t.Errorf("HEAD %s: status %d length %d, want 200 with a length", p, resp.StatusCode, resp.ContentLength)
		}
	}

	resp, _ = get(t, srv.URL+"/graphiql/assets/"+graphiqlCS, nil)
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("asset has no ETag")
	}
	resp, _ = get(t, srv.URL+"/graphiql/assets/"+graphiqlCS, http.Header{"If-None-Match": {etag}})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: status %d, want 304", resp.StatusCode)
	}
}

func TestLicensesServed(t *testing.T) {
	srv := newServer(t, mounts[0].mount)
	for _, name := range []string{"LICENSE-graphiql.txt", "LICENSE-react.txt", "LICENSE-react-dom.txt"} {
		resp, body := get(t, srv.URL+"/graphiql/assets/"+name, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "MIT License") {
			t.Errorf("GET %s: status %d, want 200 with the MIT license", name, resp.StatusCode)
		}
	}
}
