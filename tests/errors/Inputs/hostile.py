"""Hostile VIR inputs for tests/errors/*.test: prints one to stdout.

  long-name N      a value named with N characters, used but never defined
  long-line N      a line of N blanks before an unknown op
  long-literal N   an integer literal of N digits (out of range for i32)
  accesses N       one loop with N loads and N stores (dependence analysis)
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
if kind == "long-name":
    print("func @f(%%x: i32) -> i32 {\n  %%y = add %%x, %%%s\n  ret %%y\n}" % ("v" * n))
elif kind == "long-line":
    print("func @f() {\n" + " " * n + "bogus\n  ret\n}")
elif kind == "long-literal":
    print("func @f(%%x: i32) -> i32 {\n  %%y = add %%x, 1%s\n  ret %%y\n}" % ("0" * n))
elif kind == "accesses":
    print("func @f(%n: i64, %x: ptr<f32>, %y: ptr<f32>) {")
    print("  for %i = 0 to %n step 1 {")
    for k in range(n):
        print("    %%v%d = load %%x[%%i]\n    store %%y[%%i], %%v%d" % (k, k))
    print("  }\n  ret\n}")
else:
    sys.exit("unknown kind " + kind)
