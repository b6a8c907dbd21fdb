package casegraph

import (
	"io"
	"strconv"
)

// The enumerations below marshal themselves for GraphQL (gqlgen binds the
// schema's enums to them), using only the standard library.

func unmarshalEnum[T ~string](v any, valid []T, what string) (T, error) {
	s, ok := v.(string)
	if !ok {
		return "", Errorf(EINVALID, "%s must be a string, not %T", what, v)
	}
	for _, x := range valid {
		if string(x) == s {
			return x, nil
		}
	}
	return "", Errorf(EINVALID, "%q is not a valid %s", s, what)
}

func marshalEnum(w io.Writer, s string) { io.WriteString(w, strconv.Quote(s)) }

// AgencyKinds lists every agency kind.
var AgencyKinds = []AgencyKind{AgencyPolice, AgencyProcuratorate, AgencyCourt}

// CaseKinds lists every case kind.
var CaseKinds = []CaseKind{CasePolice, CaseProsecution, CaseCourt}

// HandoverTypes lists every handover type.
var HandoverTypes = []HandoverType{HandoverArrestRequest, HandoverProsecution, HandoverSupplementary,
	HandoverResubmission, HandoverIndictment, HandoverAppeal, HandoverProtest, HandoverRemand}

// MarshalGQL writes the stage as a GraphQL enum value.
func (s Stage) MarshalGQL(w io.Writer) { marshalEnum(w, string(s)) }

// UnmarshalGQL reads a GraphQL enum value into the stage.
func (s *Stage) UnmarshalGQL(v any) (err error) { *s, err = unmarshalEnum(v, Stages, "Stage"); return }

// MarshalGQL writes the kind as a GraphQL enum value.
func (k AgencyKind) MarshalGQL(w io.Writer) { marshalEnum(w, string(k)) }

// UnmarshalGQL reads a GraphQL enum value into the kind.
func (k *AgencyKind) UnmarshalGQL(v any) (err error) {
	*k, err = unmarshalEnum(v, AgencyKinds, "AgencyKind")
	return
}

// MarshalGQL writes the kind as a GraphQL enum value.
func (k CaseKind) MarshalGQL(w io.Writer) { marshalEnum(w, string(k)) }

// UnmarshalGQL reads a GraphQL enum value into the kind.
func (k *CaseKind) UnmarshalGQL(v any) (err error) {
	*k, err = unmarshalEnum(v, CaseKinds, "CaseKind")
	return
}

// MarshalGQL writes the role as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { marshalEnum(w, string(r)) }

// UnmarshalGQL reads a GraphQL enum value into the role.
func (r *Role) UnmarshalGQL(v any) (err error) { *r, err = unmarshalEnum(v, Roles, "Role"); return }

// MarshalGQL writes the type as a GraphQL enum value.
func (t HandoverType) MarshalGQL(w io.Writer) { marshalEnum(w, string(t)) }

// UnmarshalGQL reads a GraphQL enum value into the type.
func (t *HandoverType) UnmarshalGQL(v any) (err error) {
	*t, err = unmarshalEnum(v, HandoverTypes, "HandoverType")
	return
}
