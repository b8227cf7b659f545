// The Auth service, only as far as clients need it while Flotilla has no authentication:
// auth is disabled and there are no users or roles, and every call answers what etcd
// answers in that state (AuthEnable: no root user; Authenticate: auth not enabled; lists
// are empty; a named user or role is not found). Creating users and roles (UserAdd,
// RoleAdd) is not implemented: gRPC answers UNIMPLEMENTED for those two.

import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { etcdError, type EtcdErrorName } from '../errors.js';
import { header, unary, type ServiceContext } from './common.js';

/** etcd's auth store starts at revision 1. */
const AUTH_REVISION = '1';

export function authService(ctx: ServiceContext): UntypedServiceImplementation {
  const refuse = (method: string, name: EtcdErrorName): ReturnType<typeof unary> =>
    unary<object>(ctx, method, async () => {
      throw etcdError(name);
    });
  return {
    AuthStatus: unary<object>(ctx, 'AuthStatus', async () =>
      ({ header: header(ctx, 0n), enabled: false, authRevision: AUTH_REVISION })),
    AuthDisable: unary<object>(ctx, 'AuthDisable', async () => ({ header: header(ctx, 0n) })),
    AuthEnable: refuse('AuthEnable', 'rootUserNotExist'),
    Authenticate: refuse('Authenticate', 'authNotEnabled'),
    UserList: unary<object>(ctx, 'UserList', async () => ({ header: header(ctx, 0n), users: [] })),
    RoleList: unary<object>(ctx, 'RoleList', async () => ({ header: header(ctx, 0n), roles: [] })),
    UserGet: refuse('UserGet', 'userNotFound'),
    UserDelete: refuse('UserDelete', 'userNotFound'),
    UserChangePassword: refuse('UserChangePassword', 'userNotFound'),
    UserGrantRole: refuse('UserGrantRole', 'userNotFound'),
    UserRevokeRole: refuse('UserRevokeRole', 'userNotFound'),
    RoleGet: refuse('RoleGet', 'roleNotFound'),
    RoleDelete: refuse('RoleDelete', 'roleNotFound'),
    RoleGrantPermission: refuse('RoleGrantPermission', 'roleNotFound'),
    RoleRevokePermission: refuse('RoleRevokePermission', 'roleNotFound'),
  };
}
