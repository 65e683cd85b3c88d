# grammar/local.mk: the flex scanner and bison parser of the .dnn language.
BUILT_SOURCES += grammar/parser.c grammar/parser.h grammar/scanner.c grammar/scanner.h
CLEANFILES += grammar/parser.c grammar/parser.h grammar/scanner.c grammar/scanner.h
EXTRA_DIST += grammar/parser.y grammar/scanner.l
libdnnc_a_SOURCES += grammar/ast.c grammar/ast.h grammar/parse.c grammar/parse.h
nodist_libdnnc_a_SOURCES = grammar/parser.c grammar/parser.h grammar/scanner.c grammar/scanner.h

grammar/parser.c grammar/parser.h: $(srcdir)/grammar/parser.y
	@$(MKDIR_P) grammar
	$(AM_V_GEN)$(BISON) -Wall -Werror --defines=grammar/parser.h -o grammar/parser.c $(srcdir)/grammar/parser.y

grammar/scanner.c grammar/scanner.h: $(srcdir)/grammar/scanner.l grammar/parser.h
	@$(MKDIR_P) grammar
	$(AM_V_GEN)$(FLEX) --header-file=grammar/scanner.h -o grammar/scanner.c $(srcdir)/grammar/scanner.l

# Every object may include the generated headers: build them first even when
# a single target (make dnnc) is asked for.
$(libdnnc_a_OBJECTS) $(dnnc_OBJECTS): grammar/parser.h grammar/scanner.h
