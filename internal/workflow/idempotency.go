package workflow

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/procedure"
)

// A mutation whose commit was cut answers UNAVAILABLE although it may have
// committed, and the client sends it again. With a clientMutationId the
// retry is safe: the record's uid comes from the caller's agency and the id
// instead of newID(), and the mutation, inside its lineage transaction,
// answers the record already there instead of writing a second one. The
// same id sent with other content is refused (CONFLICT): it names another
// request.

// MaxMutationIDLen is the longest clientMutationId accepted, in bytes.
const MaxMutationIDLen = 128

// checkMutationID refuses a clientMutationId that is too long or holds
// characters that are not printable. "" means none.
func checkMutationID(id string) error {
	if id == "" {
		return nil
	}
	bad := len(id) > MaxMutationIDLen || !utf8.ValidString(id) || strings.TrimSpace(id) != id
	for _, r := range id {
		if !unicode.IsPrint(r) {
			bad = true
		}
	}
	if bad {
		return casegraph.Errorf(casegraph.EINVALID, "clientMutationId 须为不超过 %d 字节的可打印字符，且首尾不含空白，例如一个 UUID (clientMutationId must be at most %d bytes of printable characters without leading or trailing space, such as a UUID)",
			MaxMutationIDLen, MaxMutationIDLen)
	}
	return nil
}

// recordUID is the uid of a record a mutation writes: derived from the
// caller's agency and the clientMutationId when there is one, fresh
// otherwise. prefix names the kind of record ("d/api/").
func recordUID(prefix, agency, mutationID string) string {
	if mutationID == "" {
		return prefix + newID()
	}
	sum := sha256.Sum256([]byte(agency + "\x00" + mutationID))
	return prefix + "cm-" + hex.EncodeToString(sum[:16])
}

// reused refuses a clientMutationId already used by the agency for a
// request with other content; what names the earlier request.
func reused(id, what string, diffs []string) error {
	return casegraph.Errorf(casegraph.ECONFLICT, "clientMutationId %q 已用于本机关的另一请求（%s），内容不同（%s）：重试须原样重发，新的请求须使用新的标识 (the clientMutationId was already used for a request with other content; retry with the same input, or use a new id)",
		id, what, strings.Join(diffs, "、"))
}

// differ collects the fields of a retried request that differ from the
// record already written.
type differ []string

func (d *differ) str(field, stored, given string) {
	if stored != given {
		*d = append(*d, field)
	}
}

// at compares an event time only when the request gave one: an absent time
// means now, which differs on every retry.
func (d *differ) at(field string, stored, given time.Time) {
	if !given.IsZero() && !stored.Equal(given) {
		*d = append(*d, field)
	}
}

func describeTime(t time.Time) string {
	return t.In(procedure.China).Format(time.DateTime)
}

func recordName(kind, subtype string, at time.Time) string {
	return fmt.Sprintf("%s，%s", DecisionName(kind, subtype), describeTime(at))
}
