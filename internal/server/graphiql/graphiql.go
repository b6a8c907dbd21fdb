// Package graphiql serves a self-hosted GraphiQL page for the GraphQL API.
//
// The GraphiQL, React and ReactDOM browser bundles are vendored under
// assets/ (see assets/README.md) and embedded in the binary, so the page
// loads nothing from a CDN and works on a machine without internet. The page
// has GraphiQL's headers editor enabled, prefilled with an Authorization
// header for the user to complete with a bearer token.
package graphiql

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// assetFS holds the vendored browser bundles and their licenses.
//
//go:embed assets/*.js assets/*.css assets/*.txt
var assetFS embed.FS

// Asset file names, relative to the assets directory.
const (
	reactJS    = "react.production.min.js"
	reactDOMJS = "react-dom.production.min.js"
	graphiqlJS = "graphiql.min.js"
	graphiqlCS = "graphiql.min.css"
)

// placeholderToken is the Authorization value prefilled in the headers
// editor. The bootstrap script does not send it while it is unchanged. It
// goes into a double-quoted JavaScript string, so it must not contain '"',
// '\' or "</".
const placeholderToken = "Bearer <paste a token from 'make run'>"

// bootstrapJS is the page's only inline script. It is constant, so its hash
// in the Content-Security-Policy is constant too; the endpoint reaches it
// through the data-endpoint attribute, which html/template escapes.
const bootstrapJS = `
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var endpoint = root.getAttribute("data-endpoint");
  var placeholder = "` + placeholderToken + `";

  function fetcher(params, opts) {
    var headers = {
      "Content-Type": "application/json",
      "Accept": "application/graphql-response+json, application/json"
    };
    var typed = (opts && opts.headers) || {};
    Object.keys(typed).forEach(function (name) {
      var value = typed[name];
      if (value === placeholder) {
        return; // The user has not pasted a token yet.
      }
      headers[name] = typeof value === "string" ? value : String(value);
    });
    return fetch(endpoint, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(params),
      credentials: "same-origin"
    }).then(function (res) {
      return res.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (e) {
          return {errors: [{message: "HTTP " + res.status + " " + res.statusText + ": " + text}]};
        }
      });
    });
  }

  var defaultQuery = [
    "# casegraph GraphQL API",
    "#",
    "# Requests need a bearer token. In the Headers tab",
    "# below, replace the placeholder after \"Bearer \"",
    "# with a token printed by 'make run'. Run a query",
    "# with Ctrl-Enter. If the Docs panel stays empty,",
    "# re-fetch the schema with Shift-Ctrl-R.",
    "",
    "{",
    "  __typename",
    "}",
    ""
  ].join("\n");

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: JSON.stringify({Authorization: placeholder}, null, 2),
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: "headers"
    })
  );
})();
`

var pageTemplate = template.Must(template.New("graphiql").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>casegraph GraphiQL</title>
<link rel="stylesheet" href="{{.CSS}}">
<style>html, body { height: 100%; margin: 0; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql" data-endpoint="{{.Endpoint}}">Loading GraphiQL…</div>
<noscript>GraphiQL needs JavaScript. The GraphQL endpoint is {{.Endpoint}} (POST, JSON).</noscript>
<script src="{{.React}}"></script>
<script src="{{.ReactDOM}}"></script>
<script src="{{.GraphiQL}}"></script>
<script>{{.Bootstrap}}</script>
</body>
</html>
`))

// pageData is what pageTemplate renders.
type pageData struct {
	Endpoint                       string
	CSS, React, ReactDOM, GraphiQL string
	Bootstrap                      template.JS
}

// asset is one embedded file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
	version     string
}

// handler implements Handler.
type handler struct {
	endpoint string
	csp      string
	assets   map[string]asset
}

// Handler returns the handler for the GraphiQL page whose queries are POSTed
// as JSON to endpoint (for example "/graphql"), along with the headers typed
// into the page's headers editor.
//
// Handler does not need to know where it is mounted: it serves an embedded
// asset for any path ending in "/assets/NAME" (404 if there is no such
// asset), and the page for every other path, whose asset URLs are relative
// to the page's URL. So it works both behind http.StripPrefix, where it sees
// "" or "/" for the page, and under chi's Mount, which does not change
// r.URL.Path: with r.Mount("/graphiql", Handler("/graphql")) it sees
// "/graphiql" or "/graphiql/" for the page and "/graphiql/assets/NAME" for
// the assets. Only GET and HEAD are allowed.
func Handler(endpoint string) http.Handler {
	h := &handler{
		endpoint: endpoint,
		csp:      contentSecurityPolicy(endpoint),
		assets:   make(map[string]asset),
	}
	err := fs.WalkDir(assetFS, "assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assetFS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		version := hex.EncodeToString(sum[:])[:16]
		h.assets[path.Base(name)] = asset{
			body:        body,
			contentType: contentType(name),
			etag:        `"` + version + `"`,
			version:     version,
		}
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("graphiql: reading embedded assets: %v", err))
	}
	for _, name := range []string{reactJS, reactDOMJS, graphiqlJS, graphiqlCS} {
		if _, ok := h.assets[name]; !ok {
			panic("graphiql: embedded asset missing: " + name)
		}
	}
	return h
}

// contentSecurityPolicy returns the page's policy: scripts only from the
// same origin plus the bootstrap script by hash, styles from the same origin
// plus inline ones (GraphiQL and CodeMirror set style attributes), the fonts
// and images that graphiql.min.css inlines as data: URLs, and requests only
// to the same origin or to endpoint's origin if endpoint is an absolute URL.
func contentSecurityPolicy(endpoint string) string {
	sum := sha256.Sum256([]byte(bootstrapJS))
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && (u.Scheme == "http" || u.Scheme == "https") && validHost(u.Host) {
		connect += " " + u.Scheme + "://" + u.Host
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'",
		"style-src 'self' 'unsafe-inline'",
		"font-src 'self' data:",
		"img-src 'self' data:",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'self'",
	}, "; ")
}

// validHost reports whether host is a non-empty host[:port] made only of
// characters that cannot break out of a CSP source expression.
func validHost(host string) bool {
	if host == "" {
		return false
	}
	for _, c := range host {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.ContainsRune(".-:[]", c):
		default:
			return false
		}
	}
	return true
}

// contentType returns the media type of an embedded file. It does not use
// the mime package, whose answers depend on the host's mime.types files.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	default:
		return "text/plain; charset=utf-8"
	}
}

// ServeHTTP serves an asset or the page, as Handler describes.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if name, ok := strings.CutPrefix(p, "assets/"); ok {
		h.serveAsset(w, r, name)
		return
	}
	if i := strings.LastIndex(p, "/assets/"); i >= 0 {
		h.serveAsset(w, r, p[i+len("/assets/"):])
		return
	}
	h.servePage(w, r)
}

// serveAsset serves the embedded file name, or 404.
func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := h.assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	hdr.Set("ETag", a.etag)
	hdr.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}

// servePage renders the GraphiQL page.
func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	base := assetBase(r)
	assetURL := func(name string) string {
		return base + name + "?v=" + h.assets[name].version
	}
	var buf bytes.Buffer
	err := pageTemplate.Execute(&buf, pageData{
		Endpoint:  h.endpoint,
		CSS:       assetURL(graphiqlCS),
		React:     assetURL(reactJS),
		ReactDOM:  assetURL(reactDOMJS),
		GraphiQL:  assetURL(graphiqlJS),
		Bootstrap: template.JS(bootstrapJS),
	})
	if err != nil {
		http.Error(w, "graphiql: rendering the page failed", http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", h.csp)
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Content-Length", fmt.Sprint(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// assetBase returns the URL of the assets directory relative to the page's
// URL as the browser sees it: "./assets/" for ".../graphiql/" and
// "./graphiql/assets/" for ".../graphiql". It reads the path from
// r.RequestURI, which http.StripPrefix and chi leave as the client sent it,
// so that "/graphiql" stripped to "" still yields "./graphiql/assets/".
func assetBase(r *http.Request) string {
	p := r.URL.EscapedPath()
	if r.RequestURI != "" {
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			p = u.EscapedPath()
		}
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return "./assets/"
	}
	return "./" + p[strings.LastIndex(p, "/")+1:] + "/assets/"
}
