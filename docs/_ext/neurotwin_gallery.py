"""sphinx-gallery hook: every example starts from the registry as installed.

The "add a model" and "change the neuron model" examples register the ``lif-rate``
model of docs/design.md themselves; sphinx-gallery runs all examples in one process, so
the model is forgotten after each example, as a fresh Python would.
"""

import sys

#: models that gallery examples register themselves
EXAMPLE_MODELS = ("lif-rate",)
EXAMPLE_FAMILIES = ("lif_rate",)


def reset_models(gallery_conf, fname, when=None):
    """Unregister :data:`EXAMPLE_MODELS` and unload their modules."""
    from neurotwin import registry

    for name in EXAMPLE_MODELS:
        registry._MODELS.pop(name, None)
    for family in EXAMPLE_FAMILIES:
        registry._loaded_families.discard(family)
        for mod in [m for m in sys.modules if f".{family}" in m]:
            del sys.modules[mod]
