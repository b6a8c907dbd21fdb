package graph

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/casegraph/casegraph"
)

// Cursors are opaque to clients: base64url of "c1|<filed date>|<uid>".
const cursorVersion = "c1"

func encodeCursor(c casegraph.Case) string {
	filed := ""
	if c.FiledAt != nil {
		filed = c.FiledAt.Format(time.DateOnly)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(cursorVersion + "|" + filed + "|" + c.UID))
}

func decodeCursor(s string) (*casegraph.CaseKey, error) {
	invalid := casegraph.Errorf(casegraph.EINVALID, "after: %q is not a cursor this API issued; pass a pageInfo.endCursor unchanged", truncate(s, 40))
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, invalid
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 || parts[0] != cursorVersion || parts[2] == "" {
		return nil, invalid
	}
	key := &casegraph.CaseKey{UID: parts[2]}
	if parts[1] != "" {
		t, err := time.Parse(time.DateOnly, parts[1])
		if err != nil {
			return nil, invalid
		}
		key.FiledAt = t
	}
	return key, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
