import { Placeholder } from '../components/Placeholder';

export default function NewExportPage() {
  return <Placeholder title="nav.newExport" />;
}
