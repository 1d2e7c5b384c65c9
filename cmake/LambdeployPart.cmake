# lambdeploy_part(NAME GLOBS <patterns> [PUBLIC <deps>] [PRIVATE <deps>])
# One library per part of DESIGN.md section 1, named lambdeploy::NAME, made of the files the
# patterns match; a part with no sources yet is an interface library carrying its PUBLIC deps.
function(lambdeploy_part name)
  cmake_parse_arguments(P "" "" "GLOBS;PUBLIC;PRIVATE" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${P_GLOBS})
  if(sources)
    add_library(lambdeploy_${name} ${sources})
    target_include_directories(lambdeploy_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(lambdeploy_${name} PUBLIC ${P_PUBLIC} PRIVATE ${P_PRIVATE}
                          lambdeploy_warnings)
  else()
    add_library(lambdeploy_${name} INTERFACE)
    target_include_directories(lambdeploy_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(lambdeploy_${name} INTERFACE ${P_PUBLIC})
  endif()
  add_library(lambdeploy::${name} ALIAS lambdeploy_${name})
endfunction()
