package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxLineBytes is the longest NDJSON line the decoder accepts; a longer line
// is refused (and skipped without being held in memory), its neighbours
// still read.
const MaxLineBytes = 1 << 20

// NDJSONDecoder reads canonical records, one JSON object per line.
type NDJSONDecoder struct {
	r    *bufio.Reader
	file string
	line int
}

// NewNDJSONDecoder returns a decoder of r; file names r in rejects.
func NewNDJSONDecoder(r io.Reader, file string) *NDJSONDecoder {
	return &NDJSONDecoder{r: bufio.NewReaderSize(r, 64<<10), file: file}
}

// Next returns the next record or reject, and io.EOF at the end.
func (d *NDJSONDecoder) Next() (Item, error) {
	for {
		line, tooLong, err := d.readLine()
		if err != nil && (err != io.EOF || (len(line) == 0 && !tooLong)) {
			return Item{}, err
		}
		d.line++
		item := Item{File: d.file, Line: d.line}
		if tooLong {
			item.Reject = d.reject("", "", "", fmt.Sprintf("line is longer than %d bytes; split the record or shorten its text", MaxLineBytes))
			return item, nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			if err == io.EOF {
				return Item{}, io.EOF
			}
			continue // blank lines are allowed
		}
		rec, rej := DecodeLine(line)
		if rej != nil {
			rej.File, rej.Line = d.file, d.line
			item.Reject = rej
		} else {
			item.Record = rec
		}
		return item, nil
	}
}

// readLine reads one line without its newline. A line over MaxLineBytes is
// consumed to its end and reported as tooLong, without keeping it.
func (d *NDJSONDecoder) readLine() (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := d.r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > MaxLineBytes+1 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && err != io.EOF {
			return nil, false, err
		}
		buf = bytes.TrimSuffix(bytes.TrimSuffix(buf, []byte("\n")), []byte("\r"))
		if err == io.EOF && len(buf) == 0 && !tooLong {
			return nil, false, io.EOF
		}
		return buf, tooLong, err
	}
}

func (d *NDJSONDecoder) reject(id, typ, field, reason string) *Reject {
	return &Reject{File: d.file, Line: d.line, RecordID: id, Type: typ, Field: field, Reason: reason}
}

// DecodeLine decodes one canonical record. A line that cannot be a record
// gives a Reject naming the field and the reason (File and Line unset).
func DecodeLine(line []byte) (*Record, *Reject) {
	if !utf8.Valid(line) {
		at := len(line)
		for i := 0; i < len(line); {
			r, size := utf8.DecodeRune(line[i:])
			if r == utf8.RuneError && size <= 1 {
				at = i
				break
			}
			i += size
		}
		return nil, &Reject{Reason: fmt.Sprintf("line is not valid UTF-8 (byte %d); records must be UTF-8 — convert GBK exports first, e.g. iconv -f GBK -t UTF-8", at+1)}
	}
	var env struct {
		Type   string          `json:"type"`
		Source json.RawMessage `json:"source"`
	}
	if err := json.Unmarshal(line, &env); err != nil {
		return nil, &Reject{Reason: "malformed JSON: " + jsonReason(err, line)}
	}
	body := newBody(env.Type)
	if body == nil {
		if env.Type == "" {
			return nil, &Reject{Field: "type", Reason: "missing; every record needs a type: one of " + strings.Join(Types, ", ")}
		}
		return nil, &Reject{Type: env.Type, Field: "type", Reason: fmt.Sprintf("unknown type %q; use one of %s", env.Type, strings.Join(Types, ", "))}
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	err := dec.Decode(body)
	rec := NewRecord(body.(interface{ envelope() *Envelope }))
	rec.Raw = line
	if err != nil {
		return nil, &Reject{RecordID: rec.Source.RecordID, Type: env.Type, Field: jsonField(err), Reason: jsonReason(err, line)}
	}
	return rec, nil
}

func newBody(typ string) any {
	switch typ {
	case TypeAgency:
		return &Agency{}
	case TypeCase:
		return &Case{}
	case TypePerson:
		return &Person{}
	case TypeParty:
		return &Party{}
	case TypeCharge:
		return &Charge{}
	case TypeIncident:
		return &Incident{}
	case TypeHandover:
		return &Handover{}
	case TypeDecision:
		return &Decision{}
	case TypeMeasure:
		return &Measure{}
	case TypeJudgment:
		return &Judgment{}
	case TypeLocation:
		return &Location{}
	case TypeObject:
		return &Object{}
	case TypeLink:
		return &Link{}
	}
	return nil
}

func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// Drop the names of embedded Go structs (CaseRef.caseNo → caseNo).
		var parts []string
		for _, p := range strings.Split(te.Field, ".") {
			if p != "" && !(p[0] >= 'A' && p[0] <= 'Z') {
				parts = append(parts, p)
			}
		}
		return strings.Join(parts, ".")
	}
	msg := err.Error()
	if i := strings.Index(msg, `unknown field "`); i >= 0 {
		rest := msg[i+len(`unknown field "`):]
		if j := strings.Index(rest, `"`); j >= 0 {
			return rest[:j]
		}
	}
	var pe *timeParseError
	if errors.As(err, &pe) {
		return pe.field
	}
	if strings.Contains(msg, "parsing time") {
		return "source.at"
	}
	return ""
}

type timeParseError struct{ field string }

func (e *timeParseError) Error() string { return e.field }

func jsonReason(err error, line []byte) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("is a JSON %s; it must be %s", te.Value, jsonKind(te.Type.String()))
	case strings.Contains(err.Error(), "unknown field"):
		return "unknown field; docs/ingest.md lists the fields of each type"
	case strings.Contains(err.Error(), "parsing time"):
		return "is not an RFC 3339 timestamp such as 2024-03-01T09:00:00+08:00 (" + err.Error() + ")"
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "the line ends inside a JSON value"
	}
	return err.Error()
}

func jsonKind(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "float") || strings.HasPrefix(goType, "*float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}
