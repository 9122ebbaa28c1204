//! From one proxy's exposition to meshward's security signals.
