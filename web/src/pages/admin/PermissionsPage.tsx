import { Placeholder } from '../../components/Placeholder';

/** Placeholder: the console-admin engineer replaces this page (see web/README.md). */
export default function PermissionsPage() {
  return <Placeholder title="nav.permissions" />;
}
