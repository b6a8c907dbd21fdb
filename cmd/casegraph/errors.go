package main

import "github.com/casegraph/casegraph"

// errorText is what an operator-facing message says about err: the domain
// message when there is one, "internal error" otherwise.
func errorText(err error) string {
	return casegraph.ErrorMessage(err)
}
