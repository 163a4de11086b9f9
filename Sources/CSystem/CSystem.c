// Intentionally empty: CSystem only exposes system headers to Swift.
#include "CSystem.h"
