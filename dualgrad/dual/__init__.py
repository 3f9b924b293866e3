"""The dual wing: the number types, pure containers of a value, partials and a tag.

``_base`` (the public base class ``Dual``, tags, conversions), ``_scalar`` (the
generated scalar classes), ``_array`` (array duals and the constructors that know
both kinds), ``_views`` (the lean path of the functions and methods that return
views of an array dual), ``_joins`` (the lean path of the joins: ``np.concatenate``,
``np.stack``...), ``_picks`` (the lean ``np.where`` / ``np.interp`` of scalar duals).  The wing imports only the rule table, the backend door and
``errors``; the layers above hand it their entry points through ``connect``.
"""

from ._base import (DIAGONAL, HOLOMORPHIC, LIVE, TAGS, Dual, adopting, check_live,
                    holomorphic_tag, linking, directions, new_tag, newest, numeric, primal,
                    retire, running, same_directions)
from ._scalar import MAX_SLOTS, ScalarDual, make_scalar, scalar_class, scalars_from_rows
from ._array import (ELEMENTS, ArrayDual, elements_written, from_object_array, keep_elements,
                     kept_seed, make, make_array, make_real, partials_array, release_elements,
                     release_pass, stack_scalars)
from . import _views  # noqa: F401  (installs the lean view functions and methods)
from ._joins import join_partials  # (importing it installs the lean joins)
from . import _picks  # noqa: F401  (installs the lean np.where / np.interp of scalar duals)

__all__ = ["Dual", "ScalarDual", "ArrayDual", "make", "make_scalar", "make_array", "make_real",
           "scalar_class", "scalars_from_rows", "stack_scalars", "from_object_array", "partials_array",
           "new_tag", "retire", "check_live", "primal", "newest", "numeric", "MAX_SLOTS",
           "directions", "same_directions", "DIAGONAL", "linking",
           "LIVE", "TAGS", "running", "adopting", "HOLOMORPHIC", "holomorphic_tag",
           "ELEMENTS", "keep_elements", "kept_seed", "release_elements", "release_pass",
           "elements_written", "join_partials"]
