// esbuild's binary loader: a `.wasm` import is its bytes.
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
