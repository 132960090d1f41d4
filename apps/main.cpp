// ordgrad — the command-line tool (placeholder entry until the subcommands land).
#include <cstdio>
int main() { std::puts("ordgrad"); return 0; }
