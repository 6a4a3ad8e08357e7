// Preloaded (node --require) into role processes the benchmark profiles with --cpu-prof. Nest's shutdown
// hook ends the process by sending itself the signal again once the app is closed, and a process killed by
// a signal never writes its profile: this listener turns that second signal into a normal exit.
let signals = 0;
const onSignal = () => {
  signals++;
  if (signals > 1) process.exit(0);
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
