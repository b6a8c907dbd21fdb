package search

import (
	"github.com/blevesearch/bleve/v2/mapping"
)

// MappingVersion is the version of the index mapping and of the analysis
// it names. It is stored in every index; an index whose stored version
// differs is rebuilt (Open reports ErrNeedsRebuild). Bump it whenever a
// field, an analyzer chain or what a document holds changes.
const MappingVersion = 1

// Document types (the value of the type field).
const (
	TypeCase   = "case"
	TypePerson = "person"
)

// Field names of the index. The query syntax exposes a subset of them under
// the names in queryFields; sealed and scopeAgencies are not searchable.
const (
	fType          = "type"
	fUID           = "uid"
	fCaseNo        = "caseNo"
	fAgency        = "agency"
	fKind          = "kind"
	fStage         = "stage"
	fCharges       = "charges"
	fCharge        = "charge"
	fDistrict      = "district"
	fYear          = "year"
	fFiledAt       = "filedAt"
	fFiledDay      = "filedDay"
	fTitle         = "title"
	fSummary       = "summary"
	fPersons       = "persons"
	fIDNumbers     = "idNumbers"
	fSealed        = "sealed"
	fScopeAgencies = "scopeAgencies"
	fName          = "name"
	fNameExact     = "nameExact"
	fIDNumber      = "idNumber"
	fAgencies      = "agencies"
)

// Internal keys of the index's internal storage.
var (
	keyMappingVersion = []byte("casegraph.mappingVersion")
	keyHighWater      = []byte("casegraph.highWater")
	keySeq            = []byte("casegraph.seq")
)

func textField(analyzer string) *mapping.FieldMapping {
	f := mapping.NewTextFieldMapping()
	f.Analyzer = analyzer
	f.Store = true // for highlighting
	f.IncludeTermVectors = true
	f.IncludeInAll = false
	return f
}

func keywordField(analyzer string) *mapping.FieldMapping {
	f := mapping.NewKeywordFieldMapping()
	f.Analyzer = analyzer
	f.Store = false
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = true // facets and sorting
	return f
}

func boolField() *mapping.FieldMapping {
	f := mapping.NewBooleanFieldMapping()
	f.Store = false
	f.IncludeInAll = false
	return f
}

func dateField() *mapping.FieldMapping {
	f := mapping.NewDateTimeFieldMapping()
	f.Store = false
	f.IncludeInAll = false
	return f
}

// NewMapping returns the index mapping of MappingVersion: two static
// document types, case and person (told apart by the type field), and a
// disabled default mapping, so that a field nobody declared is never
// indexed by accident.
func NewMapping() *mapping.IndexMappingImpl {
	im := mapping.NewIndexMapping()
	im.TypeField = fType
	im.DefaultType = "unknown"
	im.DefaultAnalyzer = AnalyzerKeyword
	im.DefaultMapping = mapping.NewDocumentDisabledMapping()
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false

	typeField := keywordField(AnalyzerKeyword)
	typeField.Store = true // returned with every hit

	c := mapping.NewDocumentStaticMapping()
	c.AddFieldMappingsAt(fType, typeField)
	c.AddFieldMappingsAt(fUID, keywordField(AnalyzerKeyword))
	c.AddFieldMappingsAt(fCaseNo, keywordField(AnalyzerExact))
	c.AddFieldMappingsAt(fAgency, keywordField(AnalyzerKeyword))
	c.AddFieldMappingsAt(fKind, keywordField(AnalyzerKeyword))
	c.AddFieldMappingsAt(fStage, keywordField(AnalyzerKeyword))
	c.AddFieldMappingsAt(fCharges, textField(AnalyzerText))
	c.AddFieldMappingsAt(fCharge, keywordField(AnalyzerKeyword))
	c.AddFieldMappingsAt(fDistrict, keywordField(AnalyzerKeyword))
	c.AddFieldMappingsAt(fYear, keywordField(AnalyzerKeyword))
	c.AddFieldMappingsAt(fFiledAt, dateField())
	c.AddFieldMappingsAt(fFiledDay, keywordField(AnalyzerKeyword))
	c.AddFieldMappingsAt(fTitle, textField(AnalyzerText))
	c.AddFieldMappingsAt(fSummary, textField(AnalyzerText))
	c.AddFieldMappingsAt(fPersons, textField(AnalyzerName))
	c.AddFieldMappingsAt(fIDNumbers, keywordField(AnalyzerExact))
	c.AddFieldMappingsAt(fSealed, boolField())
	c.AddFieldMappingsAt(fScopeAgencies, keywordField(AnalyzerKeyword))
	im.AddDocumentMapping(TypeCase, c)

	p := mapping.NewDocumentStaticMapping()
	p.AddFieldMappingsAt(fType, typeField)
	p.AddFieldMappingsAt(fUID, keywordField(AnalyzerKeyword))
	p.AddFieldMappingsAt(fName, textField(AnalyzerName))
	p.AddFieldMappingsAt(fNameExact, keywordField(AnalyzerExact))
	p.AddFieldMappingsAt(fIDNumber, keywordField(AnalyzerExact))
	p.AddFieldMappingsAt(fAgencies, keywordField(AnalyzerKeyword))
	p.AddFieldMappingsAt(fScopeAgencies, keywordField(AnalyzerKeyword))
	p.AddFieldMappingsAt(fSealed, boolField())
	im.AddDocumentMapping(TypePerson, p)
	return im
}
