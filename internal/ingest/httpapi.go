package ingest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Handler serves the ingest API for integrators, to mount at /api/ingest:
//
//	POST /      an NDJSON body of canonical records → 202 {"job": "<id>"}
//	GET  /{id}  the job's state, counts and first refused records
//
// The server mounts it behind authentication: submitting needs the
// ingest/write permission (the integrator role), reading a job job/read.
func Handler(j *Jobs) http.Handler {
	r := chi.NewRouter()
	r.Post("/", func(w http.ResponseWriter, r *http.Request) {
		ct := r.Header.Get("Content-Type")
		if ct != "" && !strings.HasPrefix(ct, "application/x-ndjson") && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "text/plain") {
			writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "send the records as application/x-ndjson, one JSON record per line"})
			return
		}
		id, err := j.Submit(r.Context(), r.Body)
		switch {
		case errors.Is(err, ErrQueueFull):
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error(), "job": id})
		case err != nil:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error(), "job": id})
		default:
			w.Header().Set("Location", "/api/ingest/"+id)
			writeJSON(w, http.StatusAccepted, map[string]string{"job": id})
		}
	})
	r.Get("/{id}", func(w http.ResponseWriter, r *http.Request) {
		st, ok := j.Status(chi.URLParam(r, "id"))
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such ingest job"})
			return
		}
		writeJSON(w, http.StatusOK, st)
	})
	return r
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
