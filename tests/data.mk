# tests/data.mk: unit tests of the data layer (runtime/data.mk's loaders); they
# write their own files into $TMPDIR.
DATA_TESTS = tests/data/test_idx tests/data/test_csv tests/data/test_generate \
	tests/data/test_split tests/data/test_robust tests/data/test_examples
check_PROGRAMS += $(DATA_TESTS)
TESTS += $(DATA_TESTS)
DATA_TEST_UTIL = tests/data/data_fixture.c tests/data/data_fixture.h $(TEST_HARNESS)
tests_data_test_idx_SOURCES = tests/data/test_idx.c $(DATA_TEST_UTIL)
tests_data_test_idx_CPPFLAGS = $(TEST_CPPFLAGS)
tests_data_test_idx_LDADD = $(DNNC_LIBS)
tests_data_test_csv_SOURCES = tests/data/test_csv.c $(DATA_TEST_UTIL)
tests_data_test_csv_CPPFLAGS = $(TEST_CPPFLAGS)
tests_data_test_csv_LDADD = $(DNNC_LIBS)
tests_data_test_generate_SOURCES = tests/data/test_generate.c $(DATA_TEST_UTIL)
tests_data_test_generate_CPPFLAGS = $(TEST_CPPFLAGS)
tests_data_test_generate_LDADD = $(DNNC_LIBS)
tests_data_test_split_SOURCES = tests/data/test_split.c $(DATA_TEST_UTIL)
tests_data_test_split_CPPFLAGS = $(TEST_CPPFLAGS)
tests_data_test_split_LDADD = $(DNNC_LIBS)
tests_data_test_robust_SOURCES = tests/data/test_robust.c $(DATA_TEST_UTIL)
tests_data_test_robust_CPPFLAGS = $(TEST_CPPFLAGS)
tests_data_test_robust_LDADD = $(DNNC_LIBS)
tests_data_test_examples_SOURCES = tests/data/test_examples.c $(DATA_TEST_UTIL)
tests_data_test_examples_CPPFLAGS = $(TEST_CPPFLAGS)
tests_data_test_examples_LDADD = $(DNNC_LIBS)

EXTRA_DIST += examples/data/README.md examples/data/convert-sklearn.sh \
	examples/data/iris.csv examples/data/wine.csv examples/data/breast_cancer.csv
