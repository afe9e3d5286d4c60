"""penpal-ai infrastructure: reads the stack config once, composes the components, exports outputs."""

import pulumi

from components.config import ConfigError, load_config
from components.stack import build_stack

try:
    config = load_config()
except ConfigError as err:
    # A RunError is shown to the user as a message, without a traceback.
    raise pulumi.RunError(str(err)) from None

for name, value in build_stack(config).items():
    pulumi.export(name, value)
