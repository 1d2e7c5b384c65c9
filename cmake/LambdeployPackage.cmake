# lambdeploy_package(TARGET tgt [RUNTIME provided.al2023] [VERSION_FILE path] [DEPS ON|OFF]
#                    [STRIP ON|OFF] [GLIBC_COMPAT ON|OFF] [ALL])
#
# Packages an executable target as a Lambda function (DESIGN.md section 5), the way
# aws-lambda-cpp's aws_lambda_package_target does: adds the target `package-<tgt>` that writes
#   ${PROJECT_SOURCE_DIR}/dist/<tgt>.zip       bootstrap (the ELF itself) + version
#   ${PROJECT_SOURCE_DIR}/dist/<tgt>-deps.zip  lib/<soname> for every shared library it needs,
#                                              glibc excepted (a layer; /opt/lib at run time);
#                                              only when there is one (none for a static binary)
# with deterministic bytes, and fails, naming the symbols, when the binary or a library needs a
# newer glibc than RUNTIME has (provided.al2023: 2.34, provided.al2: 2.26).
#   RUNTIME       provided.al2023 (default) or provided.al2
#   VERSION_FILE  stored as `version`; default ${PROJECT_SOURCE_DIR}/version when it exists
#   DEPS          OFF: no dependency zip, and a binary that needs more than glibc is refused
#   STRIP         ON (default): package a copy with symbols and debug info removed
#   GLIBC_COMPAT  ON (default): compile apps/lambdeploy-pack/glibc_compat.cpp into the target,
#                 replacing the arc4random (2.36) and _dl_find_object (2.35) that GCC 12's static
#                 libstdc++/libgcc need on a newer build glibc (Debian 12 has 2.36)
#   ALL           build the package with `all` (by default only `package-<tgt>` builds it, so
#                 ordinary builds and test runs never write into the source tree)
# The zips are made in the build tree and copied to dist/ only when their bytes changed.
set(LAMBDEPLOY_PACKAGE_DIR ${CMAKE_CURRENT_LIST_DIR})
function(lambdeploy_package)
  cmake_parse_arguments(PKG "ALL" "TARGET;RUNTIME;VERSION_FILE;DEPS;STRIP;GLIBC_COMPAT" "" ${ARGN})
  if(NOT PKG_TARGET)
    message(FATAL_ERROR "lambdeploy_package: TARGET is required")
  endif()
  if(NOT TARGET ${PKG_TARGET})
    message(FATAL_ERROR "lambdeploy_package: no target named '${PKG_TARGET}' (call it after "
                        "the target is defined, e.g. after add_subdirectory(apps))")
  endif()
  if(PKG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "lambdeploy_package: unknown arguments: ${PKG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT PKG_RUNTIME)
    set(PKG_RUNTIME provided.al2023)
  endif()
  if(NOT PKG_RUNTIME MATCHES "^provided\\.al(2|2023)$")
    message(FATAL_ERROR "lambdeploy_package: unknown RUNTIME '${PKG_RUNTIME}' "
                        "(known: provided.al2023, provided.al2)")
  endif()
  if(NOT DEFINED PKG_DEPS)
    set(PKG_DEPS ON)
  endif()
  if(NOT DEFINED PKG_STRIP)
    set(PKG_STRIP ON)
  endif()
  if(NOT DEFINED PKG_GLIBC_COMPAT)
    set(PKG_GLIBC_COMPAT ON)
  endif()
  if(PKG_GLIBC_COMPAT)
    target_sources(${PKG_TARGET} PRIVATE
                   ${LAMBDEPLOY_PACKAGE_DIR}/../apps/lambdeploy-pack/glibc_compat.cpp)
  endif()
  if(NOT PKG_VERSION_FILE AND EXISTS ${PROJECT_SOURCE_DIR}/version)
    set(PKG_VERSION_FILE ${PROJECT_SOURCE_DIR}/version)
  endif()

  set(tgt ${PKG_TARGET})
  set(work ${CMAKE_BINARY_DIR}/lambdeploy-package/${tgt})
  set(dist ${PROJECT_SOURCE_DIR}/dist)
  set(zip ${work}/${tgt}.zip)
  set(deps_zip ${work}/${tgt}-deps.zip)
  set(outputs ${zip})
  set(byproducts "")
  set(pack_args --out ${zip} --runtime ${PKG_RUNTIME})
  set(depends ${tgt} lambdeploy-pack)
  set(copies COMMAND ${CMAKE_COMMAND} -E copy_if_different ${zip} ${dist}/${tgt}.zip)
  if(PKG_DEPS)
    list(APPEND byproducts ${deps_zip})
    list(APPEND pack_args --deps-out ${deps_zip})
    list(APPEND copies COMMAND ${CMAKE_COMMAND} -DSRC=${deps_zip} -DDST=${dist}/${tgt}-deps.zip
         -P ${LAMBDEPLOY_PACKAGE_DIR}/LambdeployCopyOrRemove.cmake)
  endif()
  if(PKG_VERSION_FILE)
    get_filename_component(PKG_VERSION_FILE ${PKG_VERSION_FILE} ABSOLUTE)
    list(APPEND pack_args --version-file ${PKG_VERSION_FILE})
    list(APPEND depends ${PKG_VERSION_FILE})
  endif()

  if(PKG_STRIP AND CMAKE_OBJCOPY)
    set(binary ${work}/bootstrap)
    set(prepare COMMAND ${CMAKE_OBJCOPY} --strip-all $<TARGET_FILE:${tgt}> ${binary})
  else()
    set(binary $<TARGET_FILE:${tgt}>)
    set(prepare "")
  endif()

  add_custom_command(
    OUTPUT ${outputs}
    BYPRODUCTS ${byproducts}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${work}
    ${prepare}
    COMMAND $<TARGET_FILE:lambdeploy-pack> --binary ${binary} ${pack_args}
    DEPENDS ${depends}
    COMMENT "Packaging ${tgt} for Lambda (${PKG_RUNTIME})"
    VERBATIM)
  if(PKG_ALL)
    set(all ALL)
  else()
    set(all "")
  endif()
  add_custom_target(package-${tgt} ${all}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dist}
    ${copies}
    DEPENDS ${outputs}
    COMMENT "dist/${tgt}.zip"
    VERBATIM)
endfunction()
