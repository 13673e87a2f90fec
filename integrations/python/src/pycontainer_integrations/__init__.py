"""pycontainer from Python: the seed's ``@containerize`` decorator, the
in-container check it relies on, and (loaded by their hosts through entry
points) a Poetry plugin and a Hatch build hook."""

from .decorator import containerize
from .detect import in_container
from .errors import IntegrationError

__all__ = ["containerize", "in_container", "IntegrationError"]
