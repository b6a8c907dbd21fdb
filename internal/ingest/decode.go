package ingest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// Item is one thing a decoder read: a record, or the refusal of a piece of
// input that could not become one.
type Item struct {
	File   string
	Line   int     // 1-based line (or CSV row) of the input the item came from
	Record *Record // nil when Reject is set
	Reject *Reject
}

// Decoder reads items from some input. Next returns io.EOF at the end; any
// other error means the job itself failed (the input could not be read),
// not that a record was bad: bad records come back as items with Reject set.
type Decoder interface {
	Next() (Item, error)
}

// Reject is one refused record, as --rejects writes it: one JSON line each.
type Reject struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	RecordID string `json:"recordId,omitempty"`
	Type     string `json:"type,omitempty"`
	Field    string `json:"field,omitempty"`
	Reason   string `json:"reason"`
}

// Error makes a Reject readable as one sentence.
func (r *Reject) Error() string {
	s := fmt.Sprintf("%s:%d", r.File, r.Line)
	if r.RecordID != "" {
		s += " record " + r.RecordID
	}
	if r.Field != "" {
		s += ": " + r.Field
	}
	return s + ": " + r.Reason
}

// NewRecord wraps a typed body (a pointer to Agency, Case, …) as a Record.
// Adapters build records with it.
func NewRecord(body interface{ envelope() *Envelope }) *Record {
	return &Record{Envelope: *body.envelope(), Body: body}
}

func (e *Envelope) envelope() *Envelope { return e }

// Encoder writes records as canonical NDJSON, one per line.
type Encoder struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewEncoder returns an encoder writing to w; call Flush at the end.
func NewEncoder(w io.Writer) *Encoder {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Encoder{w: bw, enc: enc}
}

// Encode writes one record body (a pointer to Agency, Case, …) as a line.
func (e *Encoder) Encode(body any) error { return e.enc.Encode(body) }

// Flush writes out what is buffered.
func (e *Encoder) Flush() error { return e.w.Flush() }
