// Command pulumi-tfgen-github writes schema.json and bridge-metadata.json for
// the github plugin into the given directory.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"penpalinfra/providers/github/providerinfo"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-tfgen-github <output-dir>")
		os.Exit(2)
	}
	outDir := os.Args[1]
	os.Args = []string{os.Args[0], "schema", "--out", outDir, "--skip-docs", "--skip-examples"}
	tfgen.Main("github", providerinfo.Version, providerinfo.Provider())
}
