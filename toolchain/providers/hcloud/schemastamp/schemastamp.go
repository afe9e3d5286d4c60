// Package schemastamp puts the plugin version into a tfgen-written schema.json
// (tfgen deliberately leaves it out so the file is stable across versions).
package schemastamp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// SetVersion rewrites dir/schema.json with its top-level "version" set.
func SetVersion(dir, version string) error {
	path := filepath.Join(dir, "schema.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading generated schema: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return fmt.Errorf("parsing generated schema %s: %w", path, err)
	}
	stamped, err := json.Marshal(version)
	if err != nil {
		return err
	}
	fields["version"] = stamped
	out, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}
