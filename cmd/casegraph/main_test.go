package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestUsageErrors(t *testing.T) {
	getenv := func(string) string { return "" }
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage:"},
		{[]string{"frobnicate"}, 2, "Usage:"},
		{[]string{"serve", "extra"}, 2, ""},
		{[]string{"serve", "--log-level", "loud"}, 2, ""},
		{[]string{"migrate", "--no-such-flag"}, 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := Run(context.Background(), tt.args, &stdout, &stderr, getenv)
		if err == nil || exitCode(err) != tt.code {
			t.Errorf("Run(%q) = %v (exit %d), want exit %d", tt.args, err, exitCode(err), tt.code)
		}
		if !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("Run(%q) stderr lacks %q:\n%s", tt.args, tt.want, stderr.String())
		}
	}
	var stdout bytes.Buffer
	if err := Run(context.Background(), []string{"version"}, &stdout, &stdout, getenv); err != nil || !strings.HasPrefix(stdout.String(), "casegraph ") {
		t.Errorf("version: %v %q", err, stdout.String())
	}
}
