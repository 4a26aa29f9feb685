import { Placeholder } from '../components/Placeholder';

export default function FilesPage() {
  return <Placeholder title="nav.files" />;
}
