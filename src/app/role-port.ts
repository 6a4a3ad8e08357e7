import { AppConfig } from '../config/app-config';
import { Role } from './roles';

export function portFor(role: Role, config: AppConfig): number {
  switch (role) {
    case 'api':
    case 'all':
      return config.get('API_PORT');
    case 'ingest':
      return config.get('INGEST_PORT');
    case 'dispatcher':
      return config.get('DISPATCHER_PORT');
  }
}
