// The one component library of the pages: Preact with its hooks, written with
// htm's tagged templates, so nothing needs a build step. Every module imports it
// from here, never from the vendored file, so an update touches one line.
// htm builds elements and text nodes, never HTML strings: interpolated values
// are text, whatever a person typed.

export {
  h,
  html,
  render,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "../../vendor/htm-preact-standalone.module.js";
