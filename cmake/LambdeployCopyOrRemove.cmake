# cmake -DSRC=from -DDST=to -P LambdeployCopyOrRemove.cmake
# Copies SRC to DST when their bytes differ; removes DST when there is no SRC (lambdeploy_package's
# dependency zip, which is written only when the binary needs libraries beyond glibc).
if(EXISTS "${SRC}")
  file(COPY_FILE "${SRC}" "${DST}" ONLY_IF_DIFFERENT)
else()
  file(REMOVE "${DST}")
endif()
