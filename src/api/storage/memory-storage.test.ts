import { MemoryStorage } from './memory-storage.js';
import { storageConformance } from './storage-conformance.js';

storageConformance('MemoryStorage', { open: () => new MemoryStorage() });
