"""The gallery's "add a model" example runs the code of docs/design.md, verbatim.

Both are shown to newcomers as the complete code of a new model; this keeps them one.
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
# the one line the inline example leaves out: MODEL is defined by the module above it
IMPORT = "from neurotwin.rate_models.lif_rate.lif_rate import MODEL\n"


def test_add_a_model_example_is_the_design_doc_code():
    design = (DOCS / "design.md").read_text()
    blocks = dict(re.findall(r"`([\w/]+\.py)`[^`]*?\n\n```python\n(.*?)```", design, flags=re.S))
    assert set(blocks) == {"rate_models/lif_rate/lif_rate.py", "spiking/lif_rate/brian2.py"}
    example = (DOCS / "examples" / "plot_add_a_model.py").read_text()
    model = blocks["rate_models/lif_rate/lif_rate.py"]
    realization = blocks["spiking/lif_rate/brian2.py"]
    assert IMPORT in realization
    assert model in example
    assert realization.replace(IMPORT, "") in example
    assert example.index(model) < example.index(realization.replace(IMPORT, ""))
