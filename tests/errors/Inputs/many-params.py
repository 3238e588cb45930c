"""Prints @f with N i32 parameters and M i32 results (hostile-input tests)."""
import sys

n, m = int(sys.argv[1]), int(sys.argv[2])
params = ", ".join("%%p%d: i32" % i for i in range(n))
results = ", ".join(["i32"] * m)
print("func @f(%s) -> (%s) {" % (params, results))
print("  ret " + ", ".join(["%p0"] * m))
print("}")
