"""minitorch_nn.vision.models: torchvision's classification models, built as torchvision builds them.

Same module tree, attribute names, state_dict keys (in the same order), reprs, constructor
arguments and default initialisation, so a torchvision state_dict (a torch.save file, which
``minitorch_nn.load`` reads) loads with strict=True. No weights are downloaded: see ``_utils`` for
what ``weights=`` accepts and ``_weights`` for torchvision's weights enums and their URLs.
"""

from ._weights import *  # noqa: F403
from .alexnet import *  # noqa: F403
from .convnext import *  # noqa: F403
from .densenet import *  # noqa: F403
from .efficientnet import *  # noqa: F403
from .mobilenetv2 import *  # noqa: F403
from .mobilenetv3 import *  # noqa: F403
from .resnet import *  # noqa: F403
from .shufflenetv2 import *  # noqa: F403
from .squeezenet import *  # noqa: F403
from .vgg import *  # noqa: F403
