// Gradient-check rows for the group-total nodes (losses/group_total.*). See grad_rows.h.
#include "grad_rows.h"

std::vector<og::test::GradRow> og::test::group_rows() { return {}; }
