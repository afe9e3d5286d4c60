// Package providerinfo maps the upstream GitHub Terraform provider (SDKv2)
// onto Pulumi tokens and names matching the published pulumi_github Python SDK.
package providerinfo

import (
	_ "embed"

	githubtf "github.com/integrations/terraform-provider-github/v6/github"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
)

// Version is stamped at link time (-X) by toolchain/build_providers.sh.
var Version = "0.0.0-dev"

// Both files are written by the tfgen step into this directory of the build
// copy; the repository never holds them.
var (
	//go:embed bridge-metadata.json
	bridgeMetadata []byte
	//go:embed schema.json
	Schema []byte
)

// Provider returns the bridge mapping shared by the tfgen and the plugin binaries.
func Provider() tfbridge.ProviderInfo {
	prov := tfbridge.ProviderInfo{
		P:                       shimv2.NewProvider(githubtf.Provider()),
		Name:                    "github",
		Version:                 Version,
		GitHubOrg:               "integrations",
		TFProviderModuleVersion: "v6",
		MetadataInfo:            tfbridge.NewProviderMetadata(bridgeMetadata),
		// As in the published schema: env var defaults, and the token as a secret
		// (upstream does not mark it sensitive).
		Config: map[string]*tfbridge.SchemaInfo{
			"base_url": {Default: &tfbridge.DefaultInfo{
				EnvVars: []string{"GITHUB_BASE_URL"}, Value: "https://api.github.com/",
			}},
			"token": {Default: &tfbridge.DefaultInfo{EnvVars: []string{"GITHUB_TOKEN"}}, Secret: tfbridge.True()},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			// As the published plugin does: a replacement keeps the same secret name, so
			// creating it first and then deleting the old one would delete the new value.
			"github_actions_environment_secret": {DeleteBeforeReplace: true},
		},
		// The published SDK names this function getGithubApp, not the automatic getApp.
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"github_app": {Tok: "github:index/getGithubApp:getGithubApp"},
		},
		// Same as the published plugin: state written without a schema version is version 0.
		EnableZeroDefaultSchemaVersion: true,
	}
	// Tokens become github:index/<camelName>:<PascalName>, as in the Python SDK.
	prov.MustComputeTokens(tokens.SingleModule("github_", "index", tokens.MakeStandard("github")))
	prov.MustApplyAutoAliases()
	// Makes `name` optional with a random suffix, like the published SDK.
	prov.SetAutonaming(255, "-")
	return prov
}
