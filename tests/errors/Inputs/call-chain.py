"""Prints N functions @f0..@f(N-1): each calls the next twice, the last adds 1.

@f0(x) = x + 2^(N-1): the inlined size of @f0 doubles with each function.
"""
import sys

n = int(sys.argv[1])
for i in range(n - 1):
    print("func @f%d(%%x: i32) -> i32 {" % i)
    print("  %%a = call @f%d(%%x)" % (i + 1))
    print("  %%b = call @f%d(%%a)" % (i + 1))
    print("  ret %b\n}\n")
print("func @f%d(%%x: i32) -> i32 {\n  %%y = add %%x, 1\n  ret %%y\n}" % (n - 1))
