"""penpal-ai infrastructure: reads the stack config once, composes the components, exports outputs."""

import pulumi

from components.access import Need, TokenCheckError, access_from_config, check_access
from components.config import ConfigError, load_config
from components.shared_zone import SharedZoneError, check_shared_zone
from components.stack import build_stack
from components.volume_move import volume_move_warning

try:
    config = load_config()
except ConfigError as err:
    # A RunError is shown to the user as a message, without a traceback.
    raise pulumi.RunError(str(err)) from None

# A preview only reads; an up writes. Say which token lacks what before anything is registered.
access = access_from_config(config)
try:
    for token_warning in check_access(access, Need.READ if pulumi.runtime.is_dry_run() else Need.WRITE):
        pulumi.log.warn(token_warning)
except TokenCheckError as err:
    raise pulumi.RunError(str(err)) from None

# The staging stack adds records to the zone the prod stack creates: say so if prod has not run yet.
try:
    check_shared_zone(config.dns, config.environment, access.hcloud_endpoint, access.hcloud_token)
except SharedZoneError as err:
    raise pulumi.RunError(str(err)) from None

# A non-prod server that moves to another location gets a new, empty volume there: say so.
if warning := volume_move_warning(config.server, config.environment, access.hcloud_endpoint, access.hcloud_token):
    pulumi.log.warn(warning)

for name, value in build_stack(config).items():
    pulumi.export(name, value)
