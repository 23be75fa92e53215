# Included by CMakeLists.txt when NPSBUNDLE_STATIC is ON (scripts/release):
# one fully static executable that needs no library, loader or /etc file of
# the machine it runs on.

# Static archives only: a shared library found by find_library or
# pkg_check_modules would make -static fail at link time.
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
add_link_options(-static)
add_compile_definitions(NPSBUNDLE_STATIC_BUILD)
# libssl.a/libcrypto.a for audit's TLS (FindOpenSSL adds dl and threads).
set(OPENSSL_USE_STATIC_LIBS TRUE)

# What the static archives need beyond themselves. libarchive: zip reads
# encrypted entries (nettle) and lzma/bzip2/zstd methods, and the filters of
# bundle_source.cc; `pkg-config --static` would also name xml2, acl and lz4,
# which no format read here uses. brotlienc/brotlidec: brotlicommon. They go
# at the very end of the link line, after every archive that needs them.
set(NPSBUNDLE_STATIC_DEPENDENCIES)
foreach(name IN ITEMS nettle lzma bz2 zstd brotlicommon z)
  find_library(NPSBUNDLE_STATIC_${name} NAMES ${name} REQUIRED)
  string(APPEND NPSBUNDLE_STATIC_DEPENDENCIES " ${NPSBUNDLE_STATIC_${name}}")
endforeach()
set(CMAKE_CXX_STANDARD_LIBRARIES "${CMAKE_CXX_STANDARD_LIBRARIES}${NPSBUNDLE_STATIC_DEPENDENCIES}")
