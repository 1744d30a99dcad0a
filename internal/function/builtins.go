package function

// Categories, as the docs group functions (SPEC §2).
const (
	CatAggregate   = "aggregate"
	CatMath        = "math"
	CatString      = "string"
	CatDatetime    = "datetime"
	CatConversion  = "conversion"
	CatHashing     = "hashing"
	CatJSON        = "json"
	CatArray       = "array"
	CatObject      = "object"
	CatAnalytic    = "analytic"
	CatMultiColumn = "multi-column"
	CatMultiRow    = "multi-row"
	CatWindow      = "window"
	CatOther       = "other"
)

// Categories returns the categories in the order the docs present them.
func Categories() []string {
	return []string{
		CatMath, CatString, CatDatetime, CatConversion, CatHashing, CatJSON,
		CatArray, CatObject, CatAggregate, CatAnalytic, CatMultiColumn,
		CatMultiRow, CatWindow, CatOther,
	}
}

// Builtins returns a new registry holding every built-in function.
func Builtins() *Registry {
	r := NewRegistry()
	RegisterBuiltins(r)
	return r
}

// RegisterBuiltins adds every built-in function to r. It panics if a name
// is already taken (a programming error).
func RegisterBuiltins(r *Registry) {
	for _, group := range [][]*Spec{
		mathSpecs(), stringSpecs(), datetimeSpecs(), conversionSpecs(), hashSpecs(), jsonSpecs(), aggregateSpecs(), analyticSpecs(), otherSpecs(),
		arraySpecs(r), objectSpecs(),
	} {
		for _, s := range group {
			r.MustRegister(finish(s))
		}
	}
}
