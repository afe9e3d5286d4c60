// Command pulumi-resource-github is the github resource plugin served to the Pulumi engine.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"penpalinfra/providers/github/providerinfo"
)

func main() {
	tfbridge.Main("github", providerinfo.Version, providerinfo.Provider(), providerinfo.Schema)
}
