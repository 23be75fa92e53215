#include "cli/cli.h"

int main(int argc, char** argv) { return npsbundle::RunCli(argc, argv); }
