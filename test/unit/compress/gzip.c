#include "test.h"

void test_compress_gzip(void)
{
}
