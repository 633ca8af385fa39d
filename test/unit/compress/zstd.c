#include "test.h"

void test_compress_zstd(void)
{
}
